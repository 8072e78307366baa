// Put first on the include path of the folders that never touch a socket (core/, the evidence data
// in probe/, tls/, inventory/, report/): every Asio header includes this one, so any Asio include
// there stops the build here.
#error "this folder never touches a socket (core/, the evidence data in probe/, tls/, inventory/, report/): no Asio here"
