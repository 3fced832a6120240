-- session.lua - one SMTP session through the real filter over the milter
-- protocol, described by environment variables:
--   MXG_SOCK socket   IP/HOST client   HELO   FROM   RCPT   QID (macro i)
--   AUTH ({auth_authen})   RESOLVE ({client_resolve})   HOSTILE_HELO=1
--   MIDWAY (shell command run between end of headers and end of message)
-- Every reply must be CONTINUE; any other ends the script with an error.
local function env(name, default)
	local v = os.getenv(name)
	if v == nil or v == "" then return default end
	return v
end

local function expect(conn, step)
	local r = mt.getreply(conn)
	if r ~= SMFIR_CONTINUE then
		error(step .. ": unexpected reply " .. tostring(r))
	end
end

local conn = mt.connect(env("MXG_SOCK"), 40, 0.25)
if conn == nil then error("cannot connect to " .. tostring(env("MXG_SOCK"))) end

if env("RESOLVE") then
	mt.macro(conn, SMFIC_CONNECT, "{client_resolve}", env("RESOLVE"))
end
if mt.conninfo(conn, env("HOST", "unknown"), env("IP", "192.0.2.200")) ~= nil then
	error("conninfo failed")
end
expect(conn, "connect")

local helo = env("HELO", "client.test")
if env("HOSTILE_HELO") then
	helo = string.rep("evil\"\r\n\\ \1", 100)  -- 1000 bytes: miltertest aborts past ~1 KB
end
if mt.helo(conn, helo) ~= nil then error("helo failed") end
expect(conn, "helo")

if env("AUTH") then
	mt.macro(conn, SMFIC_MAIL, "i", env("QID", "NOQUEUE"), "{auth_authen}", env("AUTH"))
else
	mt.macro(conn, SMFIC_MAIL, "i", env("QID", "NOQUEUE"))
end
if mt.mailfrom(conn, env("FROM", "<sender@example.net>")) ~= nil then error("mailfrom failed") end
expect(conn, "mail")
if mt.rcptto(conn, env("RCPT", "<user@example.com>")) ~= nil then error("rcptto failed") end
expect(conn, "rcpt")
if mt.header(conn, "Subject", "protocol test") ~= nil then error("header failed") end
expect(conn, "header")
if mt.eoh(conn) ~= nil then error("eoh failed") end
expect(conn, "eoh")
if env("MIDWAY") then
	os.execute(env("MIDWAY"))
end
if mt.eom(conn) ~= nil then error("eom failed") end
expect(conn, "eom")
mt.disconnect(conn)
