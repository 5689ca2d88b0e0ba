"""Views: the only code that turns state into text. Views never change state.

kubectl-compatible views (tables, describe, yaml/json/name/jsonpath/custom-columns) take API
objects in their JSON dict form and return exactly the text kubectl writes, trailing newline
included (jsonpath output ends only where its template does).
"""
