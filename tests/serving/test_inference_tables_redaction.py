"""Redaction and size limits of inference-table payloads, on their own."""

from __future__ import annotations

import json

import pytest

from lakeai.errors import InvalidParameterValue
from lakeai.serving.redaction import REDACTED, Redactor, limit_size, parse_patterns


def _redact(value, custom=None) -> dict:
    text = Redactor(custom).text(json.dumps(value, separators=(",", ":")))
    return json.loads(text)  # always still JSON


def test_credentials_anywhere_in_strings_are_redacted():
    body = {
        "messages": [
            {
                "role": "user",
                "content": "use sk-ant-api03-abcdefghijklmnopqrstu and AKIAIOSFODNN7EXAMPLE",
            },
            {"role": "user", "content": 'header "Authorization: Bearer abc.def-ghi_jkl"'},
            {"role": "user", "content": "token dapi0123456789abcdef0123456789abcdef, ok?"},
            {"role": "user", "content": "gh ghp_" + "a" * 36 + " google AIza" + "b" * 35},
        ]
    }
    out = json.dumps(_redact(body))
    for secret in (
        "sk-ant-api03",
        "AKIAIOSFODNN7",
        "abc.def-ghi_jkl",
        "dapi0123",
        "ghp_aaa",
        "AIzabbb",
    ):
        assert secret not in out
    assert out.count(REDACTED) == 6
    assert "Authorization: [REDACTED]" in out  # the rest of the sentence stays


def test_secret_named_fields_lose_their_string_values_only():
    body = {
        "api_key": "x1",
        "nested": {"aws_secret_access_key": 'with "quotes" \\ inside', "Password": "p"},
        "max_tokens": 5,
        "usage": {"prompt_tokens": 3},
        "note": "the api_key is elsewhere",
    }
    out = _redact(body)
    assert out["api_key"] == REDACTED and out["nested"]["aws_secret_access_key"] == REDACTED
    assert out["nested"]["Password"] == REDACTED
    assert out["max_tokens"] == 5 and out["usage"] == {"prompt_tokens": 3}
    assert out["note"] == "the api_key is elsewhere"


def test_clean_text_is_untouched_and_custom_patterns_apply():
    body = {"messages": [{"role": "user", "content": "Where is my order 123-45-6789?"}]}
    assert _redact(body) == body
    redacted = _redact(body, [r"\d{3}-\d{2}-\d{4}"])
    assert redacted["messages"][0]["content"] == f"Where is my order {REDACTED}?"


def test_a_custom_pattern_that_would_break_the_json_falls_back_to_values():
    body = {"a": "x", "b": "secret-word"}
    out = _redact(body, [r'"a":"x"', "secret-word"])  # the first spans quotes
    assert out == {"a": "x", "b": REDACTED}


def test_pattern_setting_forms_and_errors():
    assert parse_patterns("") == []
    assert parse_patterns('["a+", "b"]') == ["a+", "b"]
    assert parse_patterns("a+\n\n b \n") == ["a+", "b"]
    for bad in ('["a"', "[1]"):
        with pytest.raises(InvalidParameterValue, match="inference_tables_redact_patterns"):
            parse_patterns(bad)
    with pytest.raises(InvalidParameterValue, match="not a valid regex"):
        Redactor(["(unclosed"])


def test_limit_size_marks_what_it_drops():
    small = json.dumps({"x": "y"})
    assert limit_size(small, 100) == small and limit_size(small, 0) == small
    big = json.dumps({"x": "é" * 400})  # ensure_ascii: 6 bytes per character in the text
    assert json.loads(limit_size(big, 1000)) == {"truncated": True, "size": len(big.encode())}
