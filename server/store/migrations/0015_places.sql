-- The gazetteer: the district's named roads and landmarks, which the map's place search
-- (GET /api/v1/places) finds beside the organisation's streets, communities, grids and
-- units. Each place is one point; street_id is the street containing it, found by point
-- in polygon when it was written (NULL: in no grid). A name and a kind make one place:
-- writing it again replaces it under a new id. Ids are never reused, so the count and
-- the highest id together change whenever the gazetteer does (what other server
-- instances watch for).
CREATE TABLE places (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  name      TEXT NOT NULL,
  kind      TEXT NOT NULL CHECK (kind IN ('road', 'landmark')),
  lat       REAL NOT NULL,
  lng       REAL NOT NULL,
  street_id TEXT REFERENCES streets(id)
);
CREATE UNIQUE INDEX places_name_kind ON places(name, kind);
