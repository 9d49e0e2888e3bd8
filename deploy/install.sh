#!/bin/sh
# Install zPOS-BY on this Debian-based POS terminal, as root:   sudo deploy/install.sh
# or write the files into a directory (an image, a preview):    deploy/install.sh --root DIR
# Every other option goes to `zpos install` (zpos install --help). Environment:
#   ZPOS=/path/to/zpos    use this zpos instead of installing one into $ZPOS_VENV
#   ZPOS_VENV=/opt/zpos   where the register's Python environment goes (default /opt/zpos)
#   ZPOS_SKIP_APT=1       do not apt-get the system packages (installed already, or offline)
set -eu

KIT=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
SRC=$(dirname -- "$KIT")
VENV=${ZPOS_VENV:-/opt/zpos}

ROOT=/
prev=
for arg in "$@"; do
    if [ "$prev" = "--root" ]; then ROOT=$arg; fi
    case $arg in --root=*) ROOT=${arg#--root=} ;; esac
    prev=$arg
done

if [ -z "${ZPOS:-}" ]; then
    if [ "$ROOT" != "/" ]; then
        ZPOS=$(command -v zpos || true)
        if [ -z "$ZPOS" ]; then
            echo "install.sh: no zpos here to write the files with; set ZPOS=/path/to/zpos" >&2
            exit 2
        fi
    else
        if [ "$(id -u)" -ne 0 ]; then
            echo "install.sh: run it as root (sudo deploy/install.sh), or give --root DIR" >&2
            exit 2
        fi
        if [ -z "${ZPOS_SKIP_APT:-}" ]; then
            # Python for the venv; the DRM/GBM/EGL libraries SDL's kmsdrm driver loads on a console without X.
            echo "run: apt-get install python3 python3-venv libdrm2 libgbm1 libegl1 libgles2 libudev1"
            apt-get install -y --no-install-recommends python3 python3-venv libdrm2 libgbm1 libegl1 libgles2 libudev1
        fi
        if [ ! -x "$VENV/bin/python" ]; then
            echo "run: python3 -m venv $VENV"
            python3 -m venv "$VENV"
        fi
        echo "run: $VENV/bin/pip install $SRC"
        "$VENV/bin/pip" install --quiet --upgrade "$SRC"
        ZPOS=$VENV/bin/zpos
        set -- --zpos "$ZPOS" "$@"
    fi
fi

exec "$ZPOS" install --kit "$KIT" "$@"
