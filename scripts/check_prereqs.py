"""Check what `make run` needs from the machine, and say exactly what to install if not.

Runs with the system Python before the virtual environment exists, so it uses only the standard
library and syntax old Pythons understand.
"""

import ctypes.util
import importlib.util
import sys

MIN_PYTHON = (3, 11)

# What WeasyPrint (the PDF renderer) loads at run time, and Debian/Ubuntu's package for it.
NATIVE_LIBRARIES = [
    ("pango-1.0", "libpango-1.0-0"),
    ("pangoft2-1.0", "libpangoft2-1.0-0"),
    ("harfbuzz", "libharfbuzz0b"),
    ("fontconfig", "libfontconfig1"),
]


def main():
    problems = []
    packages = []
    if sys.version_info < MIN_PYTHON:
        problems.append(
            "Python %d.%d or newer is needed; `%s` is %d.%d."
            % (MIN_PYTHON + (sys.executable,) + sys.version_info[:2])
        )
        packages.append("python3.11 python3.11-venv")
    elif importlib.util.find_spec("ensurepip") is None or importlib.util.find_spec("venv") is None:
        problems.append("Python's venv module (with ensurepip) is missing.")
        packages.append("python3-venv")
    for library, package in NATIVE_LIBRARIES:
        if ctypes.util.find_library(library) is None:
            problems.append("The library %s (for PDF export) is missing." % library)
            packages.append(package)
    if problems:
        sys.stderr.write("Lotsa cannot be set up on this machine yet:\n")
        for problem in problems:
            sys.stderr.write("  - %s\n" % problem)
        sys.stderr.write(
            "On Debian or Ubuntu, install what is missing with:\n"
            "  sudo apt-get install -y %s fonts-dejavu-core\n"
            "and run the command again.\n" % " ".join(packages)
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
