-- The five report figures of issue 6, item 3, in plain SQL, for SQLite,
-- PostgreSQL 15 and DuckDB alike (bench/engines/run.sh fills in the
-- placeholders; DuckDB gets `//` for IDIV, the others `/`).
--
-- Tables: entries (the rmis store's entries, exported with settles/reverses
-- as the seq of the entry they name; value_day is days since 1970-01-01, as
-- rmis stores dates) and funds (funds.csv). The rules are those of
-- docs/data-format.md, "The figures of a report", as src/analysis/report.cc
-- computes them:
--   - the snapshot: value_day <= as-of; a reversal in it removes itself and
--     the entry it reverses;
--   - received / prior-year per fund: receipts with value_day in the year
--     (prior-year: attributed to an earlier year); every fund, 0 when none;
--   - region: the same receipts by region ('unallocated' when none);
--   - concentration: those receipts by donor (donors with a positive total):
--     the 10 largest together, the total and the number of donors;
--   - pledged per fund: pledges attributed to the year, each its USD value
--     times open / amount (open = amount less what live receipts and
--     write-offs settled, in the pledge's own minor units; none when <= 0),
--     rounded half to even to the cent, per pledge, then summed.
-- Placeholders: @YEAR@, @ASOF@ (day number), @FIRST@ and @LAST@ (day numbers
-- of 1 January and 31 December of the year), IDIV (integer division).
-- The output: one row per figure and key, "figure,key,cents".
WITH reversed AS (
  SELECT reverses AS seq FROM entries
  WHERE kind = 'reversal' AND value_day <= @ASOF@
),
-- Each figure reads only the entries it needs, each with the snapshot's
-- filter (value_day <= as-of, not reversed), so that an index can serve it.
received AS (
  SELECT fund, donor, COALESCE(NULLIF(region, ''), 'unallocated') AS region, attributed_year, usd_cents
  FROM entries
  WHERE kind = 'receipt' AND value_day BETWEEN @FIRST@ AND @LAST@ AND value_day <= @ASOF@
    AND seq NOT IN (SELECT seq FROM reversed)
),
per_fund AS (
  SELECT f.id AS fund,
         COALESCE(SUM(r.usd_cents), 0) AS received,
         COALESCE(SUM(CASE WHEN r.attributed_year < @YEAR@ THEN r.usd_cents ELSE 0 END), 0) AS prior_year
  FROM funds f LEFT JOIN received r ON r.fund = f.id
  GROUP BY f.id
),
per_donor AS (
  SELECT donor, SUM(usd_cents) AS cents FROM received GROUP BY donor HAVING SUM(usd_cents) > 0
),
settled AS (
  -- (As bigint: PostgreSQL's SUM of bigints is a numeric, and its division
  -- of numerics is not an integer division.)
  SELECT settles AS seq, CAST(SUM(amount_minor) AS BIGINT) AS minor FROM entries
  WHERE settles IS NOT NULL AND kind <> 'reversal' AND value_day <= @ASOF@
    AND seq NOT IN (SELECT seq FROM reversed)
  GROUP BY settles
),
open_pledges AS (
  SELECT p.fund, p.usd_cents * (p.amount_minor - COALESCE(s.minor, 0)) AS scaled, p.amount_minor AS whole
  FROM entries p LEFT JOIN settled s ON s.seq = p.seq
  WHERE p.kind = 'pledge' AND p.attributed_year = @YEAR@ AND p.value_day <= @ASOF@
    AND p.seq NOT IN (SELECT seq FROM reversed)
    AND p.amount_minor - COALESCE(s.minor, 0) > 0
),
open_parts AS (
  SELECT fund, whole, scaled IDIV whole AS quotient, scaled % whole AS remainder FROM open_pledges
),
pledged AS (
  SELECT f.id AS fund,
         COALESCE(SUM(o.quotient + CASE WHEN 2 * o.remainder > o.whole
                                          OR (2 * o.remainder = o.whole AND o.quotient % 2 = 1)
                                        THEN 1 ELSE 0 END), 0) AS cents
  FROM funds f LEFT JOIN open_parts o ON o.fund = f.id
  GROUP BY f.id
)
SELECT 'received' AS figure, fund AS key, received AS cents FROM per_fund
UNION ALL
SELECT 'prior_year', fund, prior_year FROM per_fund
UNION ALL
SELECT 'region', region, SUM(usd_cents) FROM received GROUP BY region
UNION ALL
SELECT 'concentration', 'top_10', (SELECT COALESCE(SUM(cents), 0) FROM (SELECT cents FROM per_donor ORDER BY cents DESC LIMIT 10) AS top)
UNION ALL
SELECT 'concentration', 'total', (SELECT COALESCE(SUM(cents), 0) FROM per_donor)
UNION ALL
SELECT 'concentration', 'donors', (SELECT COUNT(*) FROM per_donor)
UNION ALL
SELECT 'pledged', fund, cents FROM pledged;
