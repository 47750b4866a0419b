"""The one validator of rules: clear errors naming the field and the operator."""

import pytest

from tickets.automation.schema import RuleError, refires_itself, validate_rule

SET_HIGH = [{"action": "set_priority", "value": "high"}]


def error(conditions, actions=SET_HIGH, **kw) -> RuleError:
    with pytest.raises(RuleError) as exc:
        validate_rule(conditions, actions, **kw)
    return exc.value


def test_a_valid_rule_comes_back_clean():
    conditions = {"all": [{"field": "channel", "operator": "is", "value": "email"}], "any": []}
    clean, actions = validate_rule(conditions, SET_HIGH)
    assert clean == {"all": conditions["all"]}
    assert actions == SET_HIGH


def test_an_empty_condition_set_matches_everything():
    assert validate_rule({}, SET_HIGH)[0] == {}


def test_unknown_field_is_named():
    exc = error({"all": [{"field": "mood", "operator": "is", "value": "x"}]})
    assert exc.field == "conditions.all[0].field"
    assert "'mood'" in exc.message


def test_operator_that_does_not_fit_the_field():
    exc = error({"any": [{"field": "channel", "operator": "less_than", "value": "web"}]})
    assert exc.field == "conditions.any[0].operator"
    assert "'less_than'" in exc.message and "'channel'" in exc.message


@pytest.mark.parametrize(
    "cond",
    [
        {"field": "priority", "operator": "is", "value": "huge"},
        {"field": "team", "operator": "is", "value": "Billing"},
        {"field": "subject", "operator": "contains", "value": ""},
        {"field": "business_hours", "operator": "is", "value": None},
        {"field": "actor", "operator": "is", "value": "robot"},
    ],
)
def test_bad_values(cond):
    assert error({"all": [cond]}).field == "conditions.all[0].value"


def test_priority_is_ordered():
    cond = {"field": "priority", "operator": "greater_than", "value": "normal"}
    validate_rule({"all": [cond]}, SET_HIGH)


def test_actions_are_checked():
    assert error({}, []).field == "actions"
    assert error({}, [{"action": "explode"}]).field == "actions[0].action"
    assert error({}, [{"action": "set_team", "value": "x"}]).field == "actions[0].value"
    assert error({}, [{"action": "add_tags", "value": ["no spaces!"]}]).field == "actions[0].value"


def test_routing_rules_take_only_routing_actions():
    exc = error({}, [{"action": "add_note", "value": "hi"}], routing=True)
    assert exc.field == "actions[0].action"


def test_mail_to_an_invalid_address():
    mail = {"to": "address", "address": "not-an-address", "subject": "s", "body": "b"}
    exc = error({}, [{"action": "mail", "value": mail}])
    assert exc.field == "actions[0].value.address"
    assert "not-an-address" in exc.message


def test_mail_placeholders_are_known():
    mail = {"to": "team", "subject": "{{ticket.secret}}", "body": "b"}
    exc = error({}, [{"action": "mail", "value": mail}])
    assert exc.field == "actions[0].value.subject"


def test_a_trigger_whose_actions_make_its_conditions_hold_is_taken_and_known():
    cond = {"field": "priority", "operator": "changed"}
    # Taken (it fires once per change: no loop); the edit page warns of it (test_views.py).
    assert refires_itself(*validate_rule({"all": [cond]}, SET_HIGH))
    assert refires_itself(*validate_rule({"any": [cond]}, SET_HIGH))
    # A condition its actions don't change: it no longer fires on its own changes.
    other = {"field": "channel", "operator": "is", "value": "email"}
    assert not refires_itself({"all": [cond, other]}, SET_HIGH)
    # Nor when it sets another value than the one the condition waits for.
    to_urgent = {"field": "priority", "operator": "changed_to", "value": "urgent"}
    assert not refires_itself({"all": [to_urgent]}, SET_HIGH)
    to_high = {"field": "priority", "operator": "changed_to", "value": "high"}
    assert refires_itself({"all": [to_high]}, SET_HIGH)
    # No conditions: it fires on every change anyway, and says so by having none.
    assert not refires_itself({}, SET_HIGH)
