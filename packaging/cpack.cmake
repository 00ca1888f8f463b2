# The .deb: `cmake --build build --target package` writes build/tdkube_<version>_amd64.deb from what
# the install() rules put under /usr. Included by the top-level CMakeLists.txt, after every install().
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tdkube)
# CPACK_PACKAGE_VERSION defaults to project(VERSION): the one source of the version.
set(CPACK_PACKAGE_VENDOR "The tdkube developers")
set(CPACK_PACKAGE_CONTACT "The tdkube developers <tdkube@example.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "desktop tool to deploy and safely resize TDengine on Kubernetes")
set(CPACK_PACKAGE_DESCRIPTION
    "tdkube connects to Kubernetes through the kubeconfig, as kubectl does, and
deploys, watches, queries and safely resizes TDengine clusters that run there
as StatefulSets: a dashboard of each cluster's dnodes, mnodes, databases and
vgroups, a deploy wizard, safe scale-in and scale-out (drop dnode before the
StatefulSet shrinks) that survive a crash, a SQL console and a YAML editor.
The tdkube command runs the same operations from a terminal.

tdkube-sandbox, a local Kubernetes API server with a simulated TDengine
cluster, lets tdkube be tried without a cluster: the window offers it.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends from the libraries the binaries link (dpkg-shlibdeps); Qt's platform and TLS plugins come with
# those libraries' packages (libqt6gui6, libqt6network6). One is loaded, not linked, so no tool sees it:
# the SVG icon engine and image plugin (libqt6svg6), without which every icon of the window is blank.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6svg6")
# tdkube's own translations are compiled in; Qt's (the standard buttons and dialogs in Chinese) and a font
# with Chinese characters come from the distribution.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-translations-l10n, fonts-noto-cjk | fonts-wqy-microhei")
# The build is RelWithDebInfo: the package carries the binaries without their debug information.
set(CPACK_STRIP_FILES ON)
include(CPack)
