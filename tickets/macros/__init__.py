"""Macros: a saved bundle of actions (reply, note, field changes) an agent applies in one step."""
