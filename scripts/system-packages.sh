#!/usr/bin/env bash
# Installs the Debian packages of scripts/system-packages.txt that are missing (as root, with
# apt-get), or stops with the exact command to run. Silent when nothing is missing.
set -euo pipefail
list="$(dirname "$0")/system-packages.txt"

missing_packages() {
  local pkg probe
  while read -r pkg probe _; do
    case "$pkg" in ''|'#'*) continue ;; esac
    if [[ "$probe" == /* ]]; then [ -e "$probe" ] && continue
    else command -v "$probe" >/dev/null 2>&1 && continue
    fi
    printf '%s ' "$pkg"
  done <"$list"
}

missing="$(missing_packages)"
[ -z "$missing" ] && exit 0
missing="${missing% }"

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "缺少测试所需的系统软件包：$missing" >&2
  echo "请先运行：sudo apt-get update && sudo apt-get install -y --no-install-recommends $missing" >&2
  exit 1
fi

echo "安装测试所需的 Debian 软件包（apt-get）：$missing"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086  # one word per package
if ! { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null; }; then
  echo "apt-get install 失败：$missing" >&2
  exit 1
fi
still="$(missing_packages)"; still="${still% }"
if [ -n "$still" ]; then
  echo "安装后仍然缺少：$still（见 scripts/system-packages.txt）" >&2
  exit 1
fi
