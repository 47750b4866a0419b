import django, os, time, re
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "support.settings")
django.setup()
from django.db import connection
from support import clock
from tickets.automation.models import Automation
from tickets.automation import sweep
now = clock.now()
autos = list(Automation.objects.filter(is_active=True).select_related("sweep_mark").order_by("position","id"))
passes = {a.pk: sweep.last_pass(a, now) for a in autos}
autos = [a for a in autos if passes[a.pk]]
def plan(q, params, n=30):
    ts=[]
    with connection.cursor() as c:
        for i in range(n):
            c.execute("EXPLAIN (ANALYZE, SUMMARY) " + q, params)
            rows=[r[0] for r in c.fetchall()]
            p=float(re.search(r"Planning Time: ([\d.]+)", "\n".join(rows)).group(1))
            e=float(re.search(r"Execution Time: ([\d.]+)", "\n".join(rows)).group(1))
            ts.append((p,e))
    ps=sorted(t[0] for t in ts); es=sorted(t[1] for t in ts)
    return f"plan min {ps[0]:.2f} med {ps[n//2]:.2f}; exec min {es[0]:.2f} med {es[n//2]:.2f}"
sqls, params = [], []
for n, a in enumerate(autos):
    sql, template = sweep._candidates_sql(a)
    sqls.append(f"SELECT * FROM ({sql}) AS part_{n}")
    params += [sweep._bind(v, now, passes[a.pk]) for v in template]
print("all", plan(" UNION ALL ".join(sqls), params))
for n, a in enumerate(autos):
    sql, template = sweep._candidates_sql(a)
    print(a.name, sql.count("UNION"), plan(sql, [sweep._bind(v, now, passes[a.pk]) for v in template]))
