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


def warning_texts(result):
    """The warning messages of a module result: plain strings, or (ansible-core 2.19+) WarningSummary events."""
    texts = []
    for warning in result.get("warnings") or []:
        if isinstance(warning, dict):
            event = warning.get("event") or {}
            texts.append(event.get("msg") or warning.get("msg") or str(warning))
        else:
            texts.append(warning)
    return texts
