"""`field__any=[…]`: PostgreSQL's `field = ANY(array)`, one array parameter for all the values.

The planner treats it exactly as `field IN (…)`. But `__in` sends one parameter per value:
for the 200 ids of a search window that is SQL of several kilobytes, which psycopg parses
again on every run (it keeps the parsed form of statements up to 4 KB), and 200 values
Django prepares one by one, for each query that reuses the window.
"""

from django.db.models import Field, Lookup


@Field.register_lookup
class Any(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [[self.lhs.output_field.get_db_prep_value(item, connection) for item in value]]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]
