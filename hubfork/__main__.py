"""``python -m hubfork``: the same as the ``hubfork`` command."""

import sys

from hubfork.cli.main import main

sys.exit(main())
