"""Error reports by e-mail that can never break the response they report on."""

import logging

from django.utils.log import AdminEmailHandler as DjangoAdminEmailHandler


class AdminEmailHandler(DjangoAdminEmailHandler):
    """Django's ``mail_admins`` handler, made safe for an unreachable mail server.

    Django's handler lets the mail backend's exception escape (e.g. connection refused), and
    the request that was answering a 500 then dies without a response. Here the failure is
    reported on stderr, like any failing log handler's, and the response is sent.
    """

    def emit(self, record: logging.LogRecord) -> None:
        try:
            super().emit(record)
        except Exception:
            self.handleError(record)
