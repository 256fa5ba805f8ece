"""kael's Python client: call kael services and operate kael frames over RabbitMQ with the seed's names.

    from kael import WORK_FRAME
    client = WORK_FRAME(name='test', auri='amqp://guest:guest@127.0.0.1:5672')
    client.calculate__add(1, 2)
"""

from .errors import KaelError, RemoteError
from .signature import CHANGING_COMMANDS, canonical_json, sign_command
from .versions import highest_version, same_version
from .work_frame import DEFAULT_AURI, WORK_FRAME, WorkFrame

__version__ = "0.1.0"
__all__ = [
    "WORK_FRAME",
    "WorkFrame",
    "KaelError",
    "RemoteError",
    "DEFAULT_AURI",
    "CHANGING_COMMANDS",
    "canonical_json",
    "sign_command",
    "highest_version",
    "same_version",
]
