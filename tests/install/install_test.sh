#!/bin/sh
# install_test.sh SOURCE_ROOT BUILD_ROOT: stages `meson install` in a temporary prefix and uses it
# as a third party would: every ```sh block of docs/writing-a-connector.md runs verbatim, in
# order, in a copy of the examples; the embedding example and an out-of-tree copy of the Paddle
# plugin build with pkg-config only; plugins pass their cases through the installed recoupd and
# export exactly one dynamic symbol.
set -eu
SRC=$1
BUILD=$2
T=$(mktemp -d /tmp/recoup-install.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
fail() { echo "install_test: $*" >&2; exit 1; }

meson install -C "$BUILD" --destdir "$T/stage" --no-rebuild --quiet >/dev/null || fail "meson install failed"
RECOUPD=$(find "$T/stage" -path '*/bin/recoupd' -type f | head -n 1)
[ -n "$RECOUPD" ] || fail "recoupd is not installed"
PREFIX=$(dirname "$(dirname "$RECOUPD")")
PC=$(find "$PREFIX" -name recoup.pc | head -n 1)
[ -n "$PC" ] || fail "recoup.pc is not installed"
# A build folder configured before pkgconfig.relocatable became the default has an absolute prefix.
grep -q '^prefix=${pcfiledir}' "$PC" || sed -i "s|^prefix=.*|prefix=$PREFIX|" "$PC"
export PKG_CONFIG_PATH="$(dirname "$PC")" PATH="$PREFIX/bin:$PATH"
unset RECOUP_PLUGIN_DIR RECOUP_PLUGIN_PATH
for f in "$(pkg-config --variable=plugin_version_script recoup)" "$PREFIX/include/recoup/recoup.hpp" \
         "$PREFIX/include/recoup/connectors/paddle.hpp" "$PREFIX/include/recoup/connectors/stripe_billing.hpp" \
         "$PREFIX/include/recoup/time.hpp" "$(pkg-config --variable=plugindir recoup)/recoup_paddle.so"; do
    [ -f "$f" ] || fail "not installed: $f"
done

# exports_one PLUGIN.so: the entry point and nothing else.
exports_one() {
    symbols=$(nm -D --defined-only "$1" | awk '{print $NF}')
    [ "$symbols" = recoup_plugin_entry ] || fail "$1 exports more than the entry point: $symbols"
}

# The docs, verbatim, in a copy of the examples (the document's working directory is the
# repository's root).
mkdir -p "$T/work"
cp -r "$SRC/examples" "$T/work/examples"
awk '/^```sh$/ {on=1; next} /^```$/ {on=0} on {print}' "$SRC/docs/writing-a-connector.md" > "$T/docs.sh"
[ -s "$T/docs.sh" ] || fail "no sh block in docs/writing-a-connector.md"
(cd "$T/work" && sh -eux "$T/docs.sh") > "$T/docs.log" 2>&1 || { cat "$T/docs.log" >&2; fail "a doc block failed"; }
exports_one "$T/work/examples/connector-plugin/recoup_acme.so"
grep -q '^3 passed, 0 failed$' "$T/docs.log" || { cat "$T/docs.log" >&2; fail "the example's cases did not all pass"; }

# The embedding example against the install alone.
c++ -std=c++20 "$SRC/examples/embedding/main.cpp" -o "$T/embedding" \
    $(pkg-config --cflags --libs recoup) || fail "the embedding example does not build"
"$T/embedding" > "$T/embedding.log" || { cat "$T/embedding.log" >&2; fail "the embedding example failed"; }

# Paddle out of tree, with pkg-config only, passing the bundled plugin's cases.
mkdir -p "$T/paddle"
cp -r "$SRC/plugins/paddle" "$T/paddle/paddle"
(cd "$T/paddle" && c++ -std=c++20 -O2 -fPIC -shared -fvisibility=hidden -I . paddle/plugin.cpp -o recoup_paddle.so \
    $(pkg-config --cflags --libs recoup) \
    -Wl,--version-script="$(pkg-config --variable=plugin_version_script recoup)") || fail "Paddle does not build"
exports_one "$T/paddle/recoup_paddle.so"
(cd "$SRC/tests/conformance" && recoupd plugin check "$T/paddle/recoup_paddle.so" paddle/*) > "$T/paddle.log" 2>&1 \
    || { cat "$T/paddle.log" >&2; fail "the out-of-tree Paddle plugin fails its cases"; }

# The installed recoupd finds its bundled plugins with no flag (mca add loads the connector's
# plugin) and carries its migrations.
DB="sqlite:$T/installed.db"
recoupd migrate up --database "$DB" > "$T/host.log" 2>&1 || { cat "$T/host.log" >&2; fail "recoupd migrate"; }
recoupd profile add --id pro_installed --database "$DB" >> "$T/host.log" 2>&1 || { cat "$T/host.log" >&2; fail "profile add"; }
for c in chargebee recurly stripe_billing paddle; do
    recoupd mca add --profile pro_installed --id "mca_$c" --connector "$c" --secret s --database "$DB" \
        >> "$T/host.log" 2>&1 || { cat "$T/host.log" >&2; fail "the installed recoupd does not find the bundled $c plugin"; }
done
recoupd sign paddle --secret s --body-file "$SRC/tests/fixtures/paddle/transaction_paid.json" --at 1 | grep -q '^ts=1;h1=' \
    || fail "recoupd sign paddle"
echo "install_test: ok ($PREFIX)"
