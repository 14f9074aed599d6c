"""The placeholder text that ``r1bench-chat`` returns to lm-eval for a request that failed.

lm-eval only keeps the text of each response, and an empty string cannot say *which* sample
failed (every failure would be ``""``). So a failed request comes back as a unique, recognisable
sentinel, ``[r1bench-chat: request failed, no output; ref <id>]``, that the ``r1`` filter maps
back to its error (:func:`failure_error`) and scores as an empty output (no answer). The raw
``resps`` of the samples file still show the sentinel. It has no digits, no ``\\boxed``, no
"answer" phrase and no stand-alone letter, so no grader extracts an answer from it even if it is
scored as text; the id alphabet avoids the choice letters A-J and all digits.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict

__all__ = [
    "FAILURE_PREFIX",
    "is_failure_text",
    "make_failure_text",
    "failure_error",
    "UNKNOWN_FAILURE",
]

FAILURE_PREFIX = "[r1bench-chat: request failed, no output; ref "
_SUFFIX = "]"
# Letters only, none of A-J (choice letters) and no digits: nothing in the id reads as an answer.
_ID_ALPHABET = "klmnpqrstuvwxyz"
_ID_LEN = 20
#: The error shown when the sentinel's details are not in this process (e.g. a later rescoring).
UNKNOWN_FAILURE = "API request failed (details are in the r1bench-chat run summary)"
# ref -> error message; bounded so a long run with many failures cannot grow without limit.
_MAX_ERRORS = 100_000
_MAX_ERROR_CHARS = 500
_ERRORS: OrderedDict[str, str] = OrderedDict()
_LOCK = threading.Lock()


def make_failure_text(error: str | None) -> str:
    """A new unique sentinel for one failed request, remembering ``error`` in this process."""
    ref = "".join(secrets.choice(_ID_ALPHABET) for _ in range(_ID_LEN))
    with _LOCK:
        _ERRORS[ref] = str(error or "request failed")[:_MAX_ERROR_CHARS]
        while len(_ERRORS) > _MAX_ERRORS:
            _ERRORS.popitem(last=False)
    return f"{FAILURE_PREFIX}{ref}{_SUFFIX}"


def is_failure_text(text: object) -> bool:
    """True when ``text`` is a failed-request sentinel (nothing a model wrote)."""
    return (
        isinstance(text, str)
        and text.startswith(FAILURE_PREFIX)
        and text.endswith(_SUFFIX)
        and len(text) == len(FAILURE_PREFIX) + _ID_LEN + len(_SUFFIX)
    )


def failure_error(text: object) -> str | None:
    """The error behind a sentinel (:data:`UNKNOWN_FAILURE` when not recorded in this process);
    None when ``text`` is not a sentinel."""
    if not is_failure_text(text):
        return None
    ref = str(text)[len(FAILURE_PREFIX) : -len(_SUFFIX)]
    with _LOCK:
        return _ERRORS.get(ref, UNKNOWN_FAILURE)
