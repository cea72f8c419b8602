"""The exit codes of every `summitbot` command, documented in docs/operations.md and matched by
the systemd unit's `RestartPreventExitStatus`."""

#: Done, or stopped cleanly.
EXIT_OK = 0
#: Content, database or Discord refused what was asked (a problem in the data, not the setup).
EXIT_PROBLEMS = 1
#: Configuration: fix the setup before trying again; systemd does not restart on it.
EXIT_CONFIG = 2
#: Discord (or `discord.api_base`) could not be reached. May fix itself.
EXIT_UNREACHABLE = 3
