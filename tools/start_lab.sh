#!/usr/bin/env bash
# Starts JupyterLab on the course's first chapter; `make lab` calls it once .venv exists.
#
#   tools/start_lab.sh PYTHON      PYTHON is the environment's interpreter (.venv/bin/python)
#
# Environment:
#   PORT=8888        port to listen on (JupyterLab tries the next ones when it is taken)
#   NO_BROWSER=1     do not try to open a browser (headless machines, tests); copy the URL
#   NOTEBOOK=...     notebook to open, relative to the repository root
#   EDITION=zh       open the Chinese edition (notebooks/zh/00_start_here.ipynb); default en
#
# Safe defaults kept in every case: the server listens on 127.0.0.1 only and asks for its
# token. Running as root (the usual user in containers, cloud images and WSL) only adds
# --allow-root, which Jupyter otherwise refuses to start without.
set -euo pipefail
py="${1:?usage: tools/start_lab.sh PYTHON}"
root="$(cd "$(dirname "$0")/.." && pwd)"
case "${EDITION:-en}" in
  zh*) first=notebooks/zh/00_start_here.ipynb
       echo "make lab: 中文版 (Chinese edition), notebooks/zh/; the English edition: make lab EDITION=en" ;;
  *) first=notebooks/00_start_here.ipynb ;;
esac
notebook="${NOTEBOOK:-$first}"

args=(--ServerApp.ip=127.0.0.1 "--ServerApp.port=${PORT:-8888}" "--ServerApp.root_dir=$root")
if [ "$(id -u)" = 0 ]; then
  echo "make lab: running as root (usual in containers): adding --allow-root; the server still listens on 127.0.0.1 only, with its token on."
  args+=(--allow-root)
fi
case "${NO_BROWSER:-0}" in
  1 | yes | true) args+=(--no-browser) ;;
esac

# The course's JupyterLab settings (no "official Jupyter news?" prompt): copied into the
# environment, where JupyterLab reads overrides.json; Binder's postBuild does the same.
settings="$("$py" -c 'import sys; print(sys.prefix)')/share/jupyter/lab/settings"
mkdir -p "$settings"
cp "$root/binder/overrides.json" "$settings/overrides.json"

cd "$root"
exec "$py" -m jupyter lab "${args[@]}" "--LabApp.default_url=/lab/tree/$notebook"
