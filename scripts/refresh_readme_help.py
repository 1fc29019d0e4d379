"""Replaces the README's --help block with what the built binary prints.
Usage: .venv/bin/python scripts/refresh_readme_help.py build/s3-compaction"""

import re
import subprocess
import sys
from pathlib import Path

readme = Path(__file__).resolve().parent.parent / "README.md"
help_text = subprocess.run([sys.argv[1], "--help"], capture_output=True, text=True,
                           check=True).stdout.rstrip()
text = readme.read_text()
pattern = re.compile(r"(### `s3-compaction --help`\n\n```\n)(.*?)(\n```)", re.S)
assert pattern.search(text), "no --help block in README.md"
readme.write_text(pattern.sub(lambda m: m.group(1) + help_text + m.group(3), text, count=1))
