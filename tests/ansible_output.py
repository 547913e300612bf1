"""Reading what ansible commands print, for the tests."""


def plain(value):
    """ansible-inventory's JSON with the unsafe markers of the cloud's values ({"__ansible_unsafe": v}) taken off."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return dict((k, plain(v)) for k, v in value.items())
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
