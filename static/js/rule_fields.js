// The rule editor's "Ticket fields" helper: pick a custom field, an operator and a value (a
// list for choices), and add a condition or a "set field" action to the JSON in the text areas.
// The server checks the rule as always when it is saved; this only writes the JSON.
(function () {
  "use strict";
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
  const WORDS = { is_set: "is set", not_set: "is not set", is_not: "is not", not_contains: "doesn't contain", greater_than: "greater than", less_than: "less than" };

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
      status.textContent = "The JSON above can't be read (" + error.message + "): correct it first.";
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
      "Added the condition on " + current().label + " to the conditions (" + group.value + ")."
    );
  });
  $("rf-add-action").addEventListener("click", () => {
    const set = { field: field.value, value: value() === "" ? null : value() };
    edit(
      "id_actions",
      (actions) => actions.push({ action: "set_field", value: set }),
      "Added “set " + current().label + "” to the actions."
    );
  });
  refresh();
})();
