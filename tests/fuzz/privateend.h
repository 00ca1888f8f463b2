// Ends what privatebegin.h began.
#undef private
#pragma clang diagnostic pop
