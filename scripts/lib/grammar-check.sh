# Shared by scripts/check-swift.sh and scripts/check-kotlin.sh: the pinned tree-sitter grammar
# in the project venv, and the uniffi bindings generated from the built library into a
# temporary folder. Source it after setting CHECK (the script's name, for messages).

TREE_SITTER=0.26.1

fail() { printf '%s: %s\n' "$CHECK" "$*" >&2; exit 1; }

# ensure_grammar PACKAGE VERSION: tree-sitter and PACKAGE==VERSION in .venv, installed if not.
ensure_grammar() {
  local package="$1" version="$2"
  if ! .venv/bin/python - "$TREE_SITTER" "$package" "$version" 2>/dev/null <<'PY'
import sys
from importlib.metadata import version
sys.exit(version("tree-sitter") != sys.argv[1] or version(sys.argv[2]) != sys.argv[3])
PY
  then
    [ -x .venv/bin/python ] || python3 -m venv .venv || fail "cannot create the Python venv .venv"
    .venv/bin/pip install --quiet --disable-pip-version-check \
      "tree-sitter==$TREE_SITTER" "$package==$version" ||
      fail "cannot install tree-sitter==$TREE_SITTER and $package==$version into .venv"
  fi
}

# generate_bindings LANGUAGE: builds the library and generates its bindings in LANGUAGE into a
# new temporary folder and prints it (called in $(...), a subshell: the caller removes it).
generate_bindings() {
  local language="$1" lib="" candidate out
  cargo build -q -p fieldwork-ffi
  for candidate in target/debug/libfieldwork_ffi.so target/debug/libfieldwork_ffi.dylib; do
    [ -f "$candidate" ] && lib="$candidate" && break
  done
  [ -n "$lib" ] || fail "no target/debug/libfieldwork_ffi.{so,dylib} after cargo build -p fieldwork-ffi"
  out="$(mktemp -d)"
  cargo run -q -p fieldwork-ffi --bin uniffi-bindgen -- generate \
    --library "$lib" --language "$language" --no-format --out-dir "$out" >/dev/null ||
    fail "uniffi-bindgen could not generate the $language bindings from $lib"
  printf '%s\n' "$out"
}
