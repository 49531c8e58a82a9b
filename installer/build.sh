#!/usr/bin/env bash
# Builds Plateau as a desktop application with the JDK's jpackage: its own Java runtime (jlink),
# JavaFX and PyTorch's CPU natives inside, starting offline.
#
#   installer/build.sh [app-image|deb|rpm] [--cuda LIBTORCH_DIR]
#
# app-image: a folder you can run in place (target/installer/Plateau/bin/Plateau);
# deb (default on Debian/Ubuntu), rpm: a package with a menu entry. macOS (dmg) and Windows (msi)
# are built the same way on those systems: see installer/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

type=deb
cuda=""
while [ $# -gt 0 ]; do
  case "$1" in
    app-image|deb|rpm|dmg|pkg|msi|exe) type=$1 ;;
    --cuda) cuda=${2:?--cuda needs the folder of a CUDA 12.8 libtorch 2.7.1 (its lib/)}; shift ;;
    *) echo "usage: installer/build.sh [app-image|deb|rpm] [--cuda LIBTORCH_DIR]" >&2; exit 2 ;;
  esac
  shift
done

./mvnw -q -B -DskipTests package
version=$(sed -n 's:.*<version>\([0-9][0-9.]*\)</version>.*:\1:p' pom.xml | head -1)
out=target/installer
rm -rf "$out"
mkdir -p "$out/input"
cp target/plateau.jar "$out/input/"
cp -r target/lib "$out/input/lib"

# only the JDK modules the program uses (jdeps), with HTTPS's elliptic curves and zip file systems
modules=java.base,java.compiler,java.desktop,java.logging,java.management,java.naming,java.net.http,java.prefs,java.sql,java.xml,jdk.charsets,jdk.crypto.ec,jdk.jfr,jdk.unsupported,jdk.unsupported.desktop,jdk.zipfs
jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$out/runtime"

# the engine keeps off the network; native memory stays bounded on long sessions
java_options=(--java-options "-Dai.djl.offline=true" --java-options "-XX:MaxRAMPercentage=60"
              --java-options "-XX:MaxDirectMemorySize=1g")
if [ -n "$cuda" ]; then
  # the GPU variant: CUDA 12.8 libtorch inside the bundle; DJL's JNI for cu128 is already in lib/
  cp -r "$cuda" "$out/input/libtorch"
  java_options+=(--java-options '-DPYTORCH_LIBRARY_PATH=$APPDIR/libtorch' --java-options "-DPYTORCH_VERSION=2.7.1"
                 --java-options "-DPYTORCH_FLAVOR=cu128")
fi

platform=()
case "$type" in
  deb|rpm) platform=(--linux-package-name plateau --linux-shortcut --linux-menu-group "Science;Education"
                     --linux-app-category science --linux-deb-maintainer "plateau@localhost" --install-dir /opt
                     --resource-dir installer/linux) ;;
  dmg|pkg) platform=(--mac-package-name Plateau) ;;
  msi|exe) platform=(--win-menu --win-shortcut --win-dir-chooser) ;;
esac

jpackage --type "$type" --dest "$out" \
  --name Plateau --app-version "$version" --vendor "Plateau" \
  --description "Do activations composed of SAE latents behave like GPT-2's own? An explorer of the paper by Giglemiani et al." \
  --icon assets/plateau.png \
  --input "$out/input" --main-jar plateau.jar --main-class org.plateau.Main \
  --runtime-image "$out/runtime" "${java_options[@]}" "${platform[@]}"

echo "built:"
ls -la "$out" | grep -E "Plateau|plateau" || true
