"""Just enough multipart/form-data parsing for `POST /v1/media`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from adapters.sandbox.inbound import Refusal

_PARAM = re.compile(r';\s*([\w-]+)="?([^";]*)"?')


@dataclass(frozen=True)
class Part:
    name: str
    filename: str | None
    content_type: str
    content: bytes


def parse(content_type: str, body: bytes) -> list[Part]:
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.lower().startswith("multipart/form-data") or match is None:
        raise Refusal(400, "Expected multipart/form-data")
    delimiter = b"--" + match.group(1).encode()
    parts = []
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        head, sep, content = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not sep:
            raise Refusal(400, "Malformed multipart body")
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        params = dict(_PARAM.findall(";" + headers.get("content-disposition", "").partition(";")[2]))
        parts.append(
            Part(
                name=params.get("name", ""),
                filename=params.get("filename"),
                content_type=headers.get("content-type", "application/octet-stream"),
                content=content.removesuffix(b"\r\n"),
            )
        )
    return parts
