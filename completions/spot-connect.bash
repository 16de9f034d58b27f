# bash completion for spot-connect                         -*- shell-script -*-
#
# Commands and options come from the program itself (the hidden
# `spot-connect --list-commands` and `spot-connect COMMAND --list-options`,
# which print the tables getopt_long reads), so a new command or option
# needs no change here. What an option's VALUE completes to is decided in
# _spot_connect_values below; the zsh script (_spot-connect) has the same
# table. Needs nothing from the bash-completion package.

# Profile names, as botocore reads them: [default] and [profile NAME] in the
# config file, every section in the credentials file.
_spot_connect_profiles()
{
    local config=${AWS_CONFIG_FILE:-$HOME/.aws/config}
    local creds=${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}
    config=${config/#\~/$HOME}
    creds=${creds/#\~/$HOME}
    {
        [[ -r $config ]] && sed -nE \
            -e 's/^[[:space:]]*\[[[:space:]]*profile[[:space:]]+"?([^]"[:space:]]+)"?[[:space:]]*\].*/\1/p' \
            -e 's/^[[:space:]]*\[[[:space:]]*(default)[[:space:]]*\].*/\1/p' "$config"
        [[ -r $creds ]] && sed -nE \
            -e 's/^[[:space:]]*\[[[:space:]]*([^]]*[^][:space:]])[[:space:]]*\].*/\1/p' "$creds"
    } 2>/dev/null | sort -u
}

# Sets COMPREPLY for the value of option $1 (no leading dashes), being
# typed as $2. Program is $3 (for the bundle names).
_spot_connect_values()
{
    local opt=$1 cur=$2 prog=$3 IFS=$'\n'
    case $opt in
        profile)
            COMPREPLY=($(compgen -W "$(_spot_connect_profiles)" -- "$cur")) ;;
        method)
            COMPREPLY=($(compgen -W $'automatic\nmanual\nconsole' -- "$cur")) ;;
        partition)
            COMPREPLY=($(compgen -W $'aws\naws-us-gov\naws-cn' -- "$cur")) ;;
        bundles)
            # A comma-separated list: complete the name after the last comma.
            local done= word=$cur
            if [[ $cur == *,* ]]; then
                done=${cur%,*},
                word=${cur##*,}
            fi
            COMPREPLY=($(compgen -P "$done" -W "$("$prog" policy --list-bundles 2>/dev/null)" \
                -- "$word"))
            compopt -o nospace 2>/dev/null ;;
        state|log|ca-bundle|*-file)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -f -- "$cur")) ;;
        *)
            COMPREPLY=() ;;
    esac
}

_spot_connect()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev= prog=${COMP_WORDS[0]} i
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    prog=${prog/#\~/$HOME}
    COMPREPLY=()

    # The command is the first argument, or there is none: options first
    # mean the wizard, which takes no command.
    local command= options opt= pre=
    ((COMP_CWORD > 1)) && [[ ${COMP_WORDS[1]} != -* ]] && command=${COMP_WORDS[1]}
    if [[ -n $command ]]; then
        options=$("$prog" "$command" --list-options 2>/dev/null)
    else
        options=$("$prog" --list-options 2>/dev/null)
        ((COMP_CWORD == 1)) && options+=$'\n--help\n--version'
    fi

    # "--opt=VALUE": bash splits at "=", so the words are "--opt" "=" "VALUE".
    if [[ $cur == = && $prev == --* ]]; then
        opt=$prev cur=
    elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
        opt=${COMP_WORDS[COMP_CWORD - 2]}
    elif [[ $cur == --*=* ]]; then # COMP_WORDBREAKS without "="
        opt=${cur%%=*} pre=${cur%%=*}= cur=${cur#*=}
    elif [[ $prev == --* ]] && grep -qxF -- "$prev=" <<<"$options"; then
        opt=$prev
    fi
    if [[ -n $opt ]]; then
        _spot_connect_values "${opt#--}" "$cur" "$prog"
        [[ -n $pre ]] && COMPREPLY=("${COMPREPLY[@]/#/$pre}")
        return 0
    fi

    local IFS=$'\n'
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
        # "--profile=" waits for its value; "--yes" is followed by a space.
        [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
    elif ((COMP_CWORD == 1)); then
        COMPREPLY=($(compgen -W "$("$prog" --list-commands 2>/dev/null)" -- "$cur"))
    fi
    return 0
}
complete -F _spot_connect spot-connect
