# bash completion for pinbridge, installed by `make install` into share/bash-completion/completions/.
# The command completes itself: System.CommandLine's [suggest:POSITION] directive prints the words that fit the line
# at the cursor (commands, options, option values), so this script never goes stale when a command changes.
_pinbridge() {
    local IFS=$'\n'
    COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}"))
}
complete -o default -F _pinbridge pinbridge
