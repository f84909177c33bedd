-- The category suggestion's models, as `portal-server train` stores them (the blob is
-- core/classifier's serialised model). Servers load the one of the highest id and look
-- at that id now and then to pick up a newer one; ids are never reused. metrics is the
-- training's JSON report (held-out accuracy, most confused pairs).
CREATE TABLE suggest_models (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at  INTEGER NOT NULL,
  n_examples  INTEGER NOT NULL,
  metrics     TEXT NOT NULL DEFAULT '{}',
  model       BLOB NOT NULL
);
