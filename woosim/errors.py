"""WordPress REST error bodies: `{code, message, data: {status, ...}}`.

Handlers raise ApiError; app.py turns it into the JSON body with the same
shape as the captures (including the odd `"data": 500` of a failed refund).
"""

from __future__ import annotations


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, data=None, extra: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        if data is None:
            data = {"status": status}
            if extra:
                data.update(extra)
        self.data = data

    def body(self) -> dict:
        return {"code": self.code, "message": self.message, "data": self.data}


def invalid_param(name: str, message: str, detail_code: str) -> ApiError:
    """400 rest_invalid_param exactly as WordPress builds it (captures 050, 084, 104, 106):
    rest_validate_value_from_schema gives a type error `{param}` as data, the others none."""
    data = {"param": name} if detail_code == "rest_invalid_type" else None
    return ApiError(
        400,
        "rest_invalid_param",
        f"Invalid parameter(s): {name}",
        extra={
            "params": {name: message},
            "details": {name: {"code": detail_code, "message": message, "data": data}},
        },
    )


def no_route() -> ApiError:
    return ApiError(404, "rest_no_route", "No route was found matching the URL and request method.")


def enum_message(name: str, values: list[str]) -> str:
    """WordPress' "x is not one of a, b, and c." wording."""
    if len(values) == 1:
        joined = values[0]
    else:
        joined = ", ".join(values[:-1]) + ", and " + values[-1]
    return f"{name} is not one of {joined}."
