// Put first on the include path of the folders that judge and never touch a socket (tls/): every
// Asio header includes this one, so any Asio include there stops the build here.
#error "tls/ judges evidence and never touches a socket: no Asio in it (STYLE.md: evidence -> judgement -> report)"
