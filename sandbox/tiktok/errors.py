"""TikTok's error answers: HTTP 200 with a non-zero `code` and an empty `data`."""

PARAM_ERROR = 40002
PERMISSION_ERROR = 40001
NOT_FOUND = 40007
ID_LIMIT = 40011
UNSUPPORTED_IN_SANDBOX = 40009
QUERY_TOO_LARGE = 40067
INVALID_APP = 40101
TOKEN_MISSING = 40104
TOKEN_INVALID = 40105
AUTH_CODE_INVALID = 40110
AD_LIMIT = 40502
SIGNATURE_ERROR = 40900
FILE_EMPTY = 40906
DUPLICATED_MATERIAL_NAME = 40911


class ApiError(Exception):
    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def bad(message: str) -> ApiError:
    return ApiError(PARAM_ERROR, message)


def missing(kind: str, object_id: str) -> ApiError:
    return ApiError(NOT_FOUND, f"The {kind} {object_id} does not exist.")
