-- Sockeye's own settings shared by every daemon on this database (no CoPilot revision).
-- cursor_secret signs keyset cursors, so a cursor made by one daemon is honoured by another
-- and a tampered one is refused.
create table sockeye_settings (
  key varchar(100) primary key,
  value text not null,
  updated_at timestamptz not null default now()
);

insert into sockeye_settings (key, value)
values ('cursor_secret', md5(random()::text || clock_timestamp()::text) || md5(random()::text || clock_timestamp()::text));

-- Login names identify users (assigned_to holds them); CoPilot checks uniqueness in code only.
create unique index ux_user_username on "user" (username);
