"""Every error a user can cause, under one root.

    BotopsError                      one line for the user; `cli` prints it and exits 1
    ├── ConfigError                  bad resource or project files: a list of `Problem`s
    ├── UsageError                   options that don't fit together (plan target mismatch, ...)
    ├── PlanError                    live state makes a plan impossible (unmatched name, ...)
    ├── GenerationFailed             a bot-generation job ended `failed` (`job_id`, `reason`)
    ├── GenerationTimeout            a bot-generation job outlived `timeout`; resumable by job id
    ├── ForgeError                   no pull request to comment on, no token, or GitHub/GitLab
    │                                refused (`botops comment`)
    ├── ModelError                   a call to the model endpoint of `botops test` failed
    │   │                            (`host`: the endpoint's host, the one place it is named)
    │   ├── ModelTransportError      no HTTP answer: unreachable, timed out, dropped
    │   ├── ModelStatusError         an error status (`status`; `retry_after` for a 429)
    │   └── ModelAnswerError         a 2xx answer that is not a usable completion (not JSON,
    │                                too large, no text)
    └── ApiError                     anything between botops and the API
        ├── TransportError           no HTTP answer: unreachable, timeout, dropped connection
        │   (`maybe_sent`: the request may have reached the server and acted)
        └── HTTPStatusError          the server answered an error status (`status`, `message`)
            ├── BadRequestError      400
            ├── AuthError            401 / 403
            ├── NotFoundError        404
            ├── MethodNotAllowedError 405
            ├── RateLimitedError     429 (`retry_after` seconds, when the server said)
            └── ServerError          5xx

Messages never contain credentials: the client builds them from the method, the path and the
server's own message only.
"""

from __future__ import annotations

from dataclasses import dataclass


class BotopsError(Exception):
    """Root of everything botops raises on purpose. `str(error)` is the line a user reads."""


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one file, at a 1-based line and column."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class ConfigError(BotopsError):
    """One or more problems in resource or project files, all reported together."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(BotopsError):
    """Options or inputs that don't fit together."""


class PlanError(BotopsError):
    """The live state and the files can't be reconciled into a plan."""


class ApiError(BotopsError):
    """A call to the Voicebot API failed."""

    def __init__(self, message: str, *, method: str = "", path: str = "") -> None:
        self.method = method
        self.path = path
        where = f"{method} {path}: " if method else ""
        super().__init__(f"{where}{message}")


class TransportError(ApiError):
    """No HTTP answer came back. `maybe_sent` is true when the server may have acted."""

    def __init__(
        self, message: str, *, method: str = "", path: str = "", maybe_sent: bool = False
    ) -> None:
        self.maybe_sent = maybe_sent
        super().__init__(message, method=method, path=path)


class HTTPStatusError(ApiError):
    """The server answered with an error status."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        method: str = "",
        path: str = "",
        request_id: str | None = None,
    ) -> None:
        self.status = status
        self.server_message = message
        # The server's id of the request, named in the line so that support can find it.
        self.request_id = request_id
        shown = f"{status} {message}" + (f" (request_id {request_id})" if request_id else "")
        super().__init__(shown, method=method, path=path)


class BadRequestError(HTTPStatusError):
    """400: the server refused the request as invalid."""


class AuthError(HTTPStatusError):
    """401/403: credentials missing or wrong."""


class NotFoundError(HTTPStatusError):
    """404: no such resource."""


class MethodNotAllowedError(HTTPStatusError):
    """405: the server does not offer this call."""


class RateLimitedError(HTTPStatusError):
    """429: too many requests; the server acted on nothing."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        method: str = "",
        path: str = "",
        retry_after: float | None = None,
        request_id: str | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(status, message, method=method, path=path, request_id=request_id)


class ServerError(HTTPStatusError):
    """5xx: the server failed; for a write, it may or may not have acted."""


class ForgeError(BotopsError):
    """No pull-request comment could be made: no PR/MR, no token, or the forge refused."""


class ModelError(BotopsError):
    """A call to the model endpoint `botops test` uses failed. The message names the
    endpoint's host, never the key (the client redacts it from whatever the server said)."""

    def __init__(self, host: str, message: str) -> None:
        self.host = host
        self.reason = message
        super().__init__(f"model endpoint {host}: {message}")


class ModelTransportError(ModelError):
    """No HTTP answer came back from the model endpoint."""


class ModelStatusError(ModelError):
    """The model endpoint answered an error status; `retry_after` (seconds) for a 429 that
    said one."""

    def __init__(
        self, host: str, status: int, message: str, *, retry_after: float | None = None
    ) -> None:
        self.status = status
        self.retry_after = retry_after
        super().__init__(host, f"{status} {message}" if message else str(status))


class ModelAnswerError(ModelError):
    """The model endpoint answered 2xx with something that is not a usable completion."""


class GenerationFailed(BotopsError):
    """A bot-generation job ended `failed`; `reason` is the server's."""

    def __init__(self, job_id: str, reason: str) -> None:
        self.job_id = job_id
        self.reason = reason
        super().__init__(
            f"bot generation job {job_id} failed: {reason}; describe the bot in more detail "
            "(its purpose, callers, languages) and run `botops generate` again"
        )


class GenerationTimeout(BotopsError):
    """A bot-generation job was not done within `timeout` seconds; it may still finish."""

    def __init__(self, job_id: str, timeout: float) -> None:
        self.job_id = job_id
        self.timeout = timeout
        super().__init__(
            f"bot generation job {job_id} was not done after {timeout:g} s; it may still "
            f"finish: pick it up again with `botops generate --job {job_id}`"
        )
