"""`python -m bot`: run the bot."""

import sys

from bot.main import main

sys.exit(main())
