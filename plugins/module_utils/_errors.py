# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection. Breaking changes can occur any time.

"""The collection's one error type and its kinds, and ``step``, which names the operation an error belongs to."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class HuaweiCloudError(Exception):
    """The collection's one error type: a failed API call, a bad input or a wait that ran out.

    ``str(err)`` is a complete one-line description; ``to_dict()`` is what modules return as ``error``.
    """

    def __init__(self, message, status=None, code=None, error_message=None, request_id=None,
                 method=None, url=None):
        super(HuaweiCloudError, self).__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.error_message = error_message
        self.request_id = request_id
        self.method = method
        self.url = url
        self.framed = False
        # What to do next, for a known answer (module_utils/_hints.py).
        self.hint = None
        # True when the error says nothing about the resource: no answer, a retryable status, an unreadable answer.
        self.transient = False

    @property
    def refusal(self):
        """The API answered and refused (4xx), other than throttling: it says something about what was asked."""
        return self.status is not None and 400 <= self.status < 500 and self.status != 429

    def reworded(self, message):
        """The same API error (and the same class) under a message that says more about what was being done."""
        other = HuaweiCloudError.__new__(type(self))
        other.__dict__.update(self.__dict__)
        Exception.__init__(other, message)
        other.message = message
        return other

    def framed_as(self, operation):
        """The error under "Failed to <operation>: ...", once: the innermost frame names the operation."""
        if self.framed:
            return self
        other = self.reworded("Failed to %s: %s" % (operation, self.message))
        other.framed = True
        return other

    def to_dict(self):
        return {
            "status": self.status,
            "code": self.code,
            "message": self.error_message if self.error_message is not None else self.message,
            "request_id": self.request_id,
            "method": self.method,
            "url": self.url,
            "hint": self.hint,
        }


class AmbiguousWriteError(HuaweiCloudError):
    """A write was sent but its outcome is unknown (read timeout, reset after sending, 500/502/504, an answer that
    does not parse or fit, a redirect).

    The client never re-sends such a write blindly; ``Client.write`` re-reads the state and decides.
    """


class WaitTimeoutError(HuaweiCloudError):
    """A wait ran out of time; ``last_state`` is what was seen last."""

    def __init__(self, message, last_state=None, **kwargs):
        super(WaitTimeoutError, self).__init__(message, **kwargs)
        self.last_state = last_state


class IncompleteListingError(HuaweiCloudError):
    """A listing could not be read to its end: a partial view, never used to plan, report "not found" or list."""

    @classmethod
    def of(cls, operation, read, total, why):
        counts = "%d of %d item(s) read" % (read, total) if total is not None else "%d item(s) read" % read
        err = cls("Failed to %s: the listing stopped short (%s): %s; nothing is planned or reported from a "
                  "partial view" % (operation or "read a listing", counts, why))
        err.framed = True
        return err


class step(object):
    """``with step("bind EIP x to Lite Server y"):`` frames any HuaweiCloudError raised inside with the operation."""

    def __init__(self, operation):
        self.operation = operation

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, _tb):
        if exc is not None and isinstance(exc, HuaweiCloudError) and not exc.framed:
            raise exc.framed_as(self.operation)
        return False
