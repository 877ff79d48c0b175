################################################################################
#
# ply
#
################################################################################

PLY_VERSION = 0.1.0
# placeholder: where the release tarball (`make dist`) is published
PLY_SITE = https://ply.example.org/releases
PLY_LICENSE = GPL-2.0
PLY_LICENSE_FILES = COPYING

$(eval $(autotools-package))
