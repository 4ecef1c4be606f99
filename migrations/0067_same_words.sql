-- "The same words": equal ignoring case, spaces at either end and runs of spaces inside.
-- One definition for every check that the same thing was said twice: a name another
-- member shows, the same kudos, open question or approval request. Written four times in
-- the store's SQL before. A single-expression SQL function, so PostgreSQL inlines it into
-- each statement that calls it.
CREATE FUNCTION same_words(a text, b text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT lower(regexp_replace(btrim(a), '\s+', ' ', 'g'))
         = lower(regexp_replace(btrim(b), '\s+', ' ', 'g'))
$$;
