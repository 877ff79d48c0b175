#!/bin/sh
# tools-table.sh PLY DIR: a Markdown table of bpftrace's tools in DIR
# (*.bt, e.g. its repository's tools/): for each, whether ply compiles
# it in bpftrace mode for the running kernel, or the one line that says
# what it needs.  docs/bpftrace.md holds its output for bpftrace's main.
ply=$1
dir=$2
echo "| tool | here (Linux $(uname -r | cut -d- -f1)) | what it needs |"
echo "|---|---|---|"
for f in "$dir"/*.bt; do
	err=$("$ply" --bt --dry-run "$f" 2>&1 >/dev/null | grep -m1 'error:' |
		sed 's/.*error: //; s/|/\\|/g')
	if [ -z "$err" ]; then
		echo "| $(basename "$f" .bt) | compiles and runs | |"
	else
		echo "| $(basename "$f" .bt) | no | $err |"
	fi
done
