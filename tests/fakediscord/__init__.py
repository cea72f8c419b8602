"""A local fake Discord (REST + gateway) that an unmodified discord.py bot connects to.

Usable as a pytest fixture (``fake_discord`` in tests/conftest.py) and standalone::

    sys.path.insert(0, repo_root)
    from tests.fakediscord import FakeDiscord, run_client

See README.md beside this file.
"""

from .clock import FakeClock
from .permissions import Overwrite
from .ratelimit import BucketRule
from .records import Injection, RequestRecord, Stats, Violation
from .results import InteractionResult, InteractionTimeout
from .runner import run_client
from .server import FakeDiscord
from .snowflake import shard_for
from .state import Channel, Command, Guild, Member, Message, Role, User

__all__ = [
    "BucketRule",
    "Channel",
    "Command",
    "FakeClock",
    "FakeDiscord",
    "Guild",
    "Injection",
    "InteractionResult",
    "InteractionTimeout",
    "Member",
    "Message",
    "Overwrite",
    "RequestRecord",
    "Role",
    "Stats",
    "User",
    "Violation",
    "run_client",
    "shard_for",
]
