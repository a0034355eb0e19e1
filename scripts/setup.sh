#!/usr/bin/env bash
# Installs what the tests need beyond a Rust toolchain, on a fresh Debian machine (as root) or a
# developer's: a Python venv with pytest, and a JDK with Maven for the Kotlin smoke test.
# Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/pytest ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check pytest
fi

if ! command -v mvn >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: Maven and a JDK are needed; install maven and openjdk-17-jdk-headless" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven openjdk-17-jdk-headless >/dev/null
fi
echo "setup: python venv, JDK and Maven ready"
