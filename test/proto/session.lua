-- session.lua - one SMTP session through the real filter over the milter
-- protocol, described by environment variables:
--   MXG_SOCK socket   IP/HOST client   HELO   FROM   RCPT   QID (macro i)
--   AUTH ({auth_authen})   RESOLVE ({client_resolve})   HOSTILE_HELO=1
--   MIDWAY (shell command run between end of headers and end of message)
--   HEADERS_FILE ("Name: value" lines, continuation lines start with white space)
--   EXPECT_RCPT=reject (RCPT refused with a reply code: the session ends there)
--   EXPECT_EOM=continue|replycode   EXPECT_QUARANTINE=reason   EXPECT_NO_QUARANTINE=1
--   EXPECT_HDRADD=name   EXPECT_HDRDEL=name   EXPECT_NO_HDRADD=name
--   EXPECT_HDRINS=name   EXPECT_NO_HDRINS=name (smfi_insheader: the pass mark)
-- Every other reply must be CONTINUE; anything else ends the script with an error.
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
if env("EXPECT_RCPT") == "reject" then
	if mt.getreply(conn) ~= SMFIR_REPLYCODE then error("rcpt: not refused") end
	mt.disconnect(conn)
	return
end
expect(conn, "rcpt")
local function send_header(name, value)
	if mt.header(conn, name, value) ~= nil then error("header failed") end
	expect(conn, "header " .. name)
end
if env("HEADERS_FILE") then
	local name, value
	for line in io.lines(env("HEADERS_FILE")) do
		if line:match("^[ \t]") and name then
			value = value .. "\r\n" .. line
		else
			if name then send_header(name, value) end
			name, value = line:match("^([^:]+):%s?(.*)$")
		end
	end
	if name then send_header(name, value) end
end
send_header("Subject", "protocol test")
if mt.eoh(conn) ~= nil then error("eoh failed") end
expect(conn, "eoh")
if env("MIDWAY") then
	os.execute(env("MIDWAY"))
end
if mt.eom(conn) ~= nil then error("eom failed") end
if env("EXPECT_EOM", "continue") == "replycode" then
	if mt.getreply(conn) ~= SMFIR_REPLYCODE then error("eom: no reply code") end
else
	expect(conn, "eom")
end
if env("EXPECT_QUARANTINE") and not mt.eom_check(conn, MT_QUARANTINE, env("EXPECT_QUARANTINE")) then
	error("eom: not quarantined with reason " .. env("EXPECT_QUARANTINE"))
end
if env("EXPECT_NO_QUARANTINE") and mt.eom_check(conn, MT_QUARANTINE) then
	error("eom: quarantined")
end
if env("EXPECT_HDRADD") and not mt.eom_check(conn, MT_HDRADD, env("EXPECT_HDRADD")) then
	error("eom: no " .. env("EXPECT_HDRADD") .. " added")
end
if env("EXPECT_NO_HDRADD") and mt.eom_check(conn, MT_HDRADD, env("EXPECT_NO_HDRADD")) then
	error("eom: " .. env("EXPECT_NO_HDRADD") .. " added")
end
if env("EXPECT_HDRINS") and not mt.eom_check(conn, MT_HDRINSERT, env("EXPECT_HDRINS")) then
	error("eom: no " .. env("EXPECT_HDRINS") .. " inserted")
end
if env("EXPECT_NO_HDRINS") and mt.eom_check(conn, MT_HDRINSERT, env("EXPECT_NO_HDRINS")) then
	error("eom: " .. env("EXPECT_NO_HDRINS") .. " inserted")
end
if env("EXPECT_HDRDEL") and not mt.eom_check(conn, MT_HDRDELETE, env("EXPECT_HDRDEL")) then
	error("eom: " .. env("EXPECT_HDRDEL") .. " not deleted")
end
mt.disconnect(conn)
