-- Usernames are one account whatever their ASCII case: Admin and ADMIN sign in as admin,
-- and no second account may differ from one only in case. Names keep the case they
-- were written in. lower() under the "C" collation folds A-Z only, as SQLite's does,
-- whatever the database's locale (which would also fold K, the Kelvin sign, to k).
--
-- Accounts made before this could differ only in case: the oldest keeps its name, each
-- later one becomes name~id (usernames hold no ~, so no new account can take it), and
-- signs in under that name, which the administrator sees in the user list.
UPDATE users SET username = username || '~' || id
 WHERE username IS NOT NULL
   AND EXISTS (SELECT 1 FROM users AS older
                WHERE lower(older.username COLLATE "C") = lower(users.username COLLATE "C")
                  AND older.id < users.id);
CREATE UNIQUE INDEX users_username_lower ON users(lower(username COLLATE "C"));
