// Included right before the header of a class whose input-reading members are private, and
// privateend.h right after: those members have no public route but a socket or a child process,
// which a fuzz target does not have. Only the fuzz targets do this; clang warns about redefining a
// keyword, hence the pragma.
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wkeyword-macro"
#define private public
