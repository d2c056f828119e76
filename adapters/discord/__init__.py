"""The Discord adapter (discord.py): slash commands, the message menu, modals and approval buttons."""

import warnings

# discord.py imports the standard library's `audioop` (for voice, which latebot does not use); on
# Python 3.11-3.12 that import warns that the module goes away in 3.13. Keep that one warning quiet.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="'audioop' is deprecated", category=DeprecationWarning)
    import discord  # noqa: F401
