// The --help text, written by hand and checked against test/fixtures/help.txt, and --version.

export const HELP = `scalesocket: serve any program over websockets, one process per room

Usage:
  scalesocket [OPTIONS] <CMD> [ARGS...]

  Clients connect to ws://HOST:PORT/<room>; ws://HOST:PORT/ is room "default".
  The first client of a room starts CMD; later clients of that room share it.
  What clients send goes to CMD's stdin; what CMD prints goes to every client
  of the room. With only --staticdir or --cgidir, CMD may be left out: plain
  HTTP is served and websocket requests get 404.

  Options come before CMD; everything after CMD is passed to it, except one
  "--" right after CMD, which is dropped. A value may be given as --flag=value
  or --flag value; --frame, --clientframe and --serverframe take one only
  after "=". A flag given twice keeps its last value, unless it is repeatable.

Server:
  --addr HOST:PORT          Address to listen on [default: 0.0.0.0:9000];
                            IPv6 in brackets ([::]:9000); port 0 picks one
  --staticdir DIR           Serve files from DIR to plain HTTP GET and HEAD
  --oneshot                 Serve one client, then exit
  --metrics                 Serve OpenMetrics at /metrics
  --api                     Serve the rooms as JSON at /api/rooms and
                            /api/<room>[/connections|/metadata], and a lobby
                            page at / unless --staticdir is given

Rooms:
  --rooms NAME,...          Accept only these rooms [default: any name]
  --maxrooms N              Most rooms (= processes) alive at once; later ones
                            get 429 [default: no limit]; alias --maxforks
  --linger SECONDS          Keep a room and its process this long after its
                            last client leaves [default: 0]
  --resume SECONDS          Keep a client that asked (?resume=1) in its room
                            this long after its connection drops, so it can
                            return without loss [default: 0, off]
  --delay SECONDS           Wait this long after starting CMD before writing
                            to it; messages queue meanwhile [default: 0]
  --passenv NAME,...        Server variables CMD inherits; --passenv= passes
                            none [default: PATH,LD_LIBRARY_PATH on Linux;
                            PATH,DYLD_LIBRARY_PATH on macOS;
                            PATH,SystemRoot,COMSPEC,PATHEXT,WINDIR on Windows]
  --tcp                     Talk to CMD over TCP: CMD gets a free port as PORT
                            and listens on it; the server connects to
                            127.0.0.1:PORT, giving up after --delay (or 5 s)
  --tcpports START:END      Ports for --tcp, END included [default: 9001:9999]
  --restart N               Start a room's CMD again when it exits with an
                            error while clients are connected, at most N times
                            a minute; clients stay, CMD is told of each of
                            them again [default: 0, the room ends with 1011]
  --unbuffered              Ask CMD not to buffer its output: sets
                            PYTHONUNBUFFERED=1 and, on Linux, runs CMD under
                            stdbuf -oL -eL when stdbuf is installed

Messages:
                            By default every line is a message, and a newline
                            is added to each message written to CMD
  --null                    Split CMD's output on NUL bytes
  --delimiters CHARS        Split CMD's output on any of these ASCII characters
  -b, --binary              Pass raw bytes both ways, without splitting
  --json                    --frame=json, and CMD is told of joins and leaves:
                            {"t":"Join","_from":ID}, {"t":"Leave","_from":ID}
                            (with "_user" and "_info" of a verified client)
  --frame[=json|gwsocket]   Frame messages both ways; bare means json. json:
                            clients send objects, CMD gets them with "_from"
                            set to the sender's id; CMD's object lines may
                            carry "_to" (an id or ids) and "_meta": true.
                            gwsocket: gwsocket's 12-byte binary frame headers
  --clientframe[=json|gwsocket]
                            Frame client messages only
  --serverframe[=json|gwsocket]
                            Frame CMD's output only
  --joinmsg MSG             Write MSG to CMD when a client joins; #ID, #ROOM,
                            #REMOTE_ADDR, #USER, #QUERY_STRING, #QUERY_<NAME>
                            are replaced (room, user and query percent-encoded)
  --leavemsg MSG            Write MSG to CMD when a client leaves
  --cache [all:|tagged:]SIZE
                            Replay the room's last SIZE messages (1-100000) to
                            each new client; tagged: only "_cache": true lines
  --cachepersist            Keep the cache when CMD ends, for the room's next
                            process

Limits:
  --maxbuffer BYTES         Unsent bytes per client, and unread input per
                            process [default: 8m]
  --maxframesize BYTES      Largest message in either direction [default: 1m]
  --closems MS              Added to each wait when stopping CMD (stdin closed,
                            then SIGINT, SIGTERM, SIGKILL) [default: 0]
  --maxclients N            Clients one room admits; later ones get 429 Room
                            full [default: no limit]
  --ratelimit N[/SECONDS]   Messages a client may send per SECONDS [default:
                            1], in bursts of N; faster ones are closed with
                            1008
                            BYTES is a count, or KiB/MiB with k/m: 512k, 8m

websocketd compatibility:
  --port PORT               Port to listen on, instead of --addr [default: 9000]
  --address HOST            Listen on HOST, repeatable [default: every
                            interface (0.0.0.0)]
  --header "NAME: VALUE"    Add a header to every response, repeatable
  --header-ws "NAME: VALUE" Add a header to websocket upgrades, repeatable
  --header-http "NAME: VALUE"
                            Add a header to plain HTTP responses, repeatable
  --perconnection           One process per connection, on any path, as
                            websocketd does (SCRIPT_NAME=/, PATH_INFO=path)
  --sameorigin              Refuse (403) websockets whose Origin is not this
                            server, or that send no Origin
  --origin HOST[:PORT],...  Accept websockets only from these origins (403
                            otherwise); an entry without a port matches any
  --ssl                     Serve https and wss; CMD gets HTTPS=on
  --sslcert FILE            PEM certificate for --ssl
  --sslkey FILE             PEM private key for --ssl
  --devconsole              Answer plain GETs with a page that opens the
                            socket at the same path (/lobby: room lobby)
  --dir DIR                 Serve every executable in DIR, with no CMD:
                            /NAME/ROOM is room ROOM of program NAME, /NAME
                            its room "default"; with --perconnection,
                            /NAME[/MORE] as websocketd
  --cgidir DIR              Plain HTTP requests for /NAME run the CGI script
                            DIR/NAME (request body on stdin, headers and body
                            on stdout)
  --redirport PORT          Also listen on PORT for plain HTTP and redirect
                            every request to https (needs --ssl)
  --reverselookup           REMOTE_HOST is the client's name by reverse DNS
                            (its address when the lookup fails within 2 s)
  --unixsocket PATH         Listen on this unix socket instead of a TCP port
  --pingms MS               Ping clients every MS; close those silent for 2xMS
  --passstderr              Send stdout and stderr lines to clients as
                            {"stream":"stdout"|"stderr","data":LINE}

Cluster (one process per room across every node that shares a Redis):
  --cluster URL             Lease rooms in Redis at redis://[USER:PASS@]HOST
                            [:PORT][/DB] (rediss:// for TLS); a client that
                            reaches a node not owning its room is relayed
  --advertise HOST:PORT     Where other nodes reach this one (required)
  --cluster-secret SECRET   Signs relayed connections, 16 characters or more
                            (required; or SCALESOCKET_CLUSTER_SECRET)
  --node-id ID              This node's name [default: HOST-PID-RANDOM]
  --cluster-prefix PREFIX   Prefix of every Redis key [default: ss:]
  --lease SECONDS           Room lease length, 1-3600; renewals and stop
                            deadlines derive from it [default: 15]
  --drain SECONDS           On SIGTERM, how long rooms run on before their
                            clients get 1012 and the rooms move [default: 30]

Authentication (a refused client gets 401 or 403, never a websocket):
  --jwt-secret SECRET       Clients need a JWT signed with this HMAC secret
                            (HS256/384/512), 16 characters or more; or
                            SCALESOCKET_JWT_SECRET
  --jwt-key FILE            ... or signed by this PEM public key: RSA (RS*,
                            PS*), EC (ES*) or Ed25519 (EdDSA)
  --jwks URL|FILE           ... or by a key of this JWKS, chosen by kid, and
                            refetched for an unknown kid at most once a
                            minute
  --jwt-audience AUD        The token's aud must name AUD
  --jwt-issuer ISS          The token's iss must be ISS
  --jwt-cookie NAME         The token may come in this cookie; otherwise in
                            Authorization: Bearer, ?token= or a bearer.TOKEN
                            subprotocol offer
  --jwt-no-expire-close     Keep connections open when their token expires
                            [default: close with 1008]
  --auth URL                Ask URL before each upgrade, with the client's
                            Cookie, Authorization and X-Forwarded-* headers:
                            2xx admits (JSON {"user","info","rooms"} optional),
                            401 and 403 refuse, anything else is 503
  --auth-timeout SECONDS    How long --auth may take [default: 5]
  --public-api              Leave /api, /metrics and the lobby page open to
                            anyone [default: they need credentials too]

Logging:
  --log text|json           Log format on stderr [default: text]
  -v, -vv                   Log debug, or trace, lines [default: info]
  --loglevel LEVEL          websocketd's levels instead of -v: debug, trace,
                            access (= info), info, error, fatal (= error)

Other:
  -h, --help                Print this help and exit
  -V, --version             Print the version and exit

Environment:
  CMD gets only the variables named by --passenv, plus CGI variables about the
  connection that started its room: ROOM, QUERY_STRING, REMOTE_ADDR,
  REMOTE_PORT, REQUEST_METHOD, REQUEST_URI, SCRIPT_NAME, PATH_INFO,
  SERVER_NAME, SERVER_PORT, SERVER_PROTOCOL, SERVER_SOFTWARE,
  GATEWAY_INTERFACE, HTTP_<NAME> for each request header, and PORT with --tcp;
  with authentication, REMOTE_USER and AUTH_TYPE (jwt or auth), and no token.
  NO_COLOR                  Never colour the logs (colour is used only on a TTY)
  SCALESOCKET_CLUSTER_SECRET
                            --cluster-secret, kept out of the process list
  SCALESOCKET_JWT_SECRET    --jwt-secret, kept out of the process list; it
                            turns tokens on unless --jwt-key, --jwks or
                            --auth is given

Exit codes:
  0  Normal end: a signal, --oneshot done, --help, --version
  1  Runtime failure, such as the address already in use
  2  Usage error: unknown flag, bad value, missing CMD, unsupported flag

Examples:
  scalesocket --addr 127.0.0.1:9000 ./game.py
      Serve ./game.py on localhost only, one process per room
  scalesocket echo -- hello
      Each room runs "echo hello": its clients get "hello", then a close
  scalesocket --null ./tool
      Messages are NUL-terminated both ways
  scalesocket --staticdir public --linger 30 python3 chat.py
      Serve the page in public/ too; rooms survive 30 s without clients
`;

export function versionLine(version: string): string {
  return `scalesocket ${version}`;
}
