-- Usernames are one account whatever their ASCII case: Admin and ADMIN sign in as admin,
-- and no second account may differ from one only in case. Names keep the case they
-- were written in; lower() here and in the queries folds A-Z only.
--
-- Accounts made before this could differ only in case (an administrator could create
-- Admin beside admin). The oldest keeps its name; each later one is renamed to
-- name~id, which no new account can take (usernames hold no ~), so that none is lost:
-- it signs in under that name, which the administrator sees in the user list.
UPDATE users SET username = username || '~' || id
 WHERE username IS NOT NULL
   AND EXISTS (SELECT 1 FROM users AS older
                WHERE lower(older.username) = lower(users.username) AND older.id < users.id);
CREATE UNIQUE INDEX users_username_lower ON users(lower(username));
