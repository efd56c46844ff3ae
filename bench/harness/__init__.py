# bench/run's parts: a throwaway PostgreSQL (pg), the two servers under test (servers), wrk
# (load), process CPU and memory (procs), the row checks (rows), the tables (report) and the
# microbenchmarks (micro). Python 3 standard library only.
