// The rule editor's "Ticket fields" helper: pick a custom field, an operator and a value (a
// list for choices), and add a condition or a "set field" action to the JSON in the text areas.
// The server checks the rule as always when it is saved; this only writes the JSON.
(function () {
  "use strict";
  // Words come from the JavaScript catalog in the agent's language (support/js_catalog.py,
  // loaded before this file); without it they stay English.
  var gettext = window.gettext || function (s) { return s; };
  var ngettext = window.ngettext || function (s, p, n) { return n === 1 ? s : p; };
  var interpolate = window.interpolate || function (f, o) {
    return f.replace(/%\((\w+)\)s/g, function (m, k) { return o[k]; });
  };
  const box = document.querySelector("[data-rule-fields]");
  const data = document.getElementById("rule-fields-data");
  if (!box || !data) return;
  const fields = JSON.parse(data.textContent);
  const byKey = Object.fromEntries(fields.map((f) => [f.key, f]));
  const $ = (id) => document.getElementById(id);
  const field = $("rf-field");
  const operator = $("rf-operator");
  const choice = $("rf-value-choice");
  const text = $("rf-value-text");
  const group = $("rf-group");
  const status = $("rf-status");
  const NO_VALUE = ["is_set", "not_set", "changed"];
  const WORDS = {
    is: gettext("is"), contains: gettext("contains"), changed: gettext("changed"),
    is_set: gettext("is set"), not_set: gettext("is not set"), is_not: gettext("is not"),
    not_contains: gettext("doesn't contain"), greater_than: gettext("greater than"),
    less_than: gettext("less than"), changed_to: gettext("changed to"),
    changed_from: gettext("changed from"),
  };

  function current() {
    return byKey[field.value];
  }

  function refresh() {
    const f = current();
    operator.replaceChildren(...f.operators.map((o) => new Option(WORDS[o] || o, o)));
    choice.replaceChildren(...f.choices.map(([value, label]) => new Option(label, value)));
    const listed = f.choices.length > 0;
    $("rf-choice-wrap").hidden = !listed;
    $("rf-text-wrap").hidden = listed;
    text.type = f.kind === "date" ? "date" : "text";
    text.inputMode = f.kind === "number" || f.kind === "decimal" ? "decimal" : "text";
    valueState();
  }

  function valueState() {
    const none = NO_VALUE.includes(operator.value);
    choice.disabled = none;
    text.disabled = none;
  }

  function value() {
    return current().choices.length ? choice.value : text.value;
  }

  function edit(id, change, what) {
    const area = $(id);
    let parsed;
    try {
      parsed = JSON.parse(area.value.trim() || (id === "id_actions" ? "[]" : "{}"));
    } catch (error) {
      status.textContent = interpolate(
        gettext("The JSON above can't be read (%(error)s): correct it first."),
        { error: error.message }, true);
      area.focus();
      return;
    }
    change(parsed);
    area.value = JSON.stringify(parsed, null, 2);
    status.textContent = what;
  }

  field.addEventListener("change", refresh);
  operator.addEventListener("change", valueState);
  $("rf-add-condition").addEventListener("click", () => {
    const cond = { field: "field." + field.value, operator: operator.value };
    if (!NO_VALUE.includes(operator.value)) cond.value = value();
    edit(
      "id_conditions",
      (rule) => {
        rule[group.value] = rule[group.value] || [];
        rule[group.value].push(cond);
      },
      interpolate(gettext("Added the condition on %(field)s to the conditions (%(group)s)."),
        { field: current().label, group: group.value }, true)
    );
  });
  $("rf-add-action").addEventListener("click", () => {
    const set = { field: field.value, value: value() === "" ? null : value() };
    edit(
      "id_actions",
      (actions) => actions.push({ action: "set_field", value: set }),
      interpolate(gettext("Added “set %(field)s” to the actions."), { field: current().label }, true)
    );
  });
  refresh();
})();
