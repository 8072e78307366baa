# stp_expose(TARGET FOLDER): TARGET's public headers are FOLDER's, found as "FOLDER/name.hpp"
# through an include root that holds FOLDER alone. A target thus sees the folders of the libraries
# it links and no others: including what one does not depend on is a build error.
# STP_ROOT is the repository's top folder (set by whoever includes this file).
function(stp_expose target folder)
  set(root ${CMAKE_BINARY_DIR}/include-roots/${folder})
  if(NOT EXISTS ${root}/${folder})
    file(MAKE_DIRECTORY ${root})
    file(CREATE_LINK ${STP_ROOT}/${folder} ${root}/${folder} SYMBOLIC)
  endif()
  target_include_directories(${target} PUBLIC ${root})
endfunction()

# stp_library(NAME FOLDER SOURCE...): a static library of FOLDER's sources, exposing FOLDER.
function(stp_library name folder)
  add_library(${name} STATIC ${ARGN})
  stp_expose(${name} ${folder})
endfunction()
