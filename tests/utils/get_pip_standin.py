# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in for ansible-test's pip bootstrap script (get-pip.py), for machines that cannot reach
the host ansible-test downloads it from.

tests/utils/seed-get-pip.sh copies it into ansible-test's cache. ansible-test runs it as
``python get_pip.py [pip options] pip==X``: it installs pip with ``ensurepip`` in a subprocess (run
in-process, ensurepip sets PIP_CONFIG_FILE=/dev/null and would hide the machine's pip
configuration, such as its package index), then runs ``pip install`` with the same arguments,
minus ``--no-setuptools`` and ``--no-wheel`` which only get-pip.py knows.
"""

import subprocess
import sys


def main():
    args = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
    subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + args)


if __name__ == '__main__':
    main()
